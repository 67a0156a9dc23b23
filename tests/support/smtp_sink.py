"""A real SMTP server (aiosmtpd) for Tillit's delivery and fault tests.

Every message it accepts is written to DIR/<n>.eml. Control files in DIR change its behaviour
while it runs, so a test can turn faults on and off:
  DIR/refuse     answer 451 (try again later) to every recipient
  DIR/slow_rcpt  wait this many seconds (file content) before answering a recipient
Usage: python3 smtp_sink.py PORT DIR
"""

import asyncio
import itertools
import os
import sys
import threading

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, directory):
        self.directory = directory
        self.counter = itertools.count(1)

    def _control(self, name):
        return os.path.join(self.directory, name)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if os.path.exists(self._control("refuse")):
            return "451 4.3.0 Try again later"
        slow = self._control("slow_rcpt")
        if os.path.exists(slow):
            with open(slow) as f:
                await asyncio.sleep(float(f.read().strip() or "5"))
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        n = next(self.counter)
        tmp = os.path.join(self.directory, f".{n}.tmp")
        with open(tmp, "wb") as f:
            f.write(envelope.original_content or envelope.content)
        os.rename(tmp, os.path.join(self.directory, f"{n}.eml"))
        return "250 Message accepted for delivery"


def main():
    port, directory = int(sys.argv[1]), sys.argv[2]
    os.makedirs(directory, exist_ok=True)
    controller = Controller(Sink(directory), hostname="127.0.0.1", port=port)
    controller.start()
    with open(os.path.join(directory, "ready"), "w") as f:
        f.write("ok")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
