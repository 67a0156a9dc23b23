"""A local stand-in for LINK Mobility's Common Platform REST API, for the tests.

    python3 linkmobility_gateway.py PORT DIR USER PASSWORD

POST /sms/send (basic auth USER:PASSWORD, JSON as LINK documents it) answers
{"messageId", "resultCode": 1005, "description": "Queued"} and keeps the request as
DIR/<messageId>.json. Control files in DIR change what it does: `refuse` answers 400 with
resultCode 106 ("invalid destination"); `hang` waits 30 s before answering.

POST /control/report with {"url", "messageId", "resultCode"} posts a delivery report for that
message to `url` as LINK's gate does ({id, refId, resultCode, operator, ...}) and answers with the
webhook's status code.
"""

import base64
import json
import os
import sys
import time
import urllib.error
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT, DIR, USER, PASSWORD = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(length) or b"{}")

    def do_POST(self):
        if self.path == "/sms/send":
            return self.send_sms()
        if self.path == "/control/report":
            return self.report()
        self.answer(404, {"description": "not found"})

    def send_sms(self):
        expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        if self.headers.get("Authorization") != expected:
            return self.answer(401, {"resultCode": 103, "description": "Unauthorized"})
        message = self.body()
        if os.path.exists(os.path.join(DIR, "hang")):
            time.sleep(30)
        if os.path.exists(os.path.join(DIR, "refuse")):
            return self.answer(400, {"resultCode": 106, "description": "Invalid destination"})
        for field in ("source", "destination", "userData", "platformId", "platformPartnerId"):
            if not message.get(field):
                return self.answer(400, {"resultCode": 106, "description": f"{field} missing"})
        message_id = uuid.uuid4().hex
        with open(os.path.join(DIR, f"{message_id}.json.tmp"), "w") as f:
            json.dump(message, f)
        os.rename(
            os.path.join(DIR, f"{message_id}.json.tmp"), os.path.join(DIR, f"{message_id}.json")
        )
        self.answer(200, {"messageId": message_id, "resultCode": 1005, "description": "Queued"})

    def report(self):
        control = self.body()
        with open(os.path.join(DIR, f"{control['messageId']}.json")) as f:
            message = json.load(f)
        report = {
            "id": control["messageId"],
            "refId": message.get("refId", ""),
            "operator": "no.telenor",
            "sentTimestamp": "2026-12-03T09:37:35Z",
            "timestamp": "2026-12-03T09:37:36Z",
            "resultCode": control["resultCode"],
            "operatorResultCode": "2",
            "segments": 1,
            "gateCustomParameters": {},
            "customParameters": {},
        }
        request = urllib.request.Request(
            control["url"],
            data=json.dumps(report).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status = response.status
        except urllib.error.HTTPError as e:
            status = e.code
        self.answer(200, {"status": status})


ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
