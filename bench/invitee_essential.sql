-- The invitee page's essential database work, for pgbench (run by bench/invitee.sh): find the
-- link's service by the token's SHA-256 (one indexed lookup, scoping the transaction to the
-- service found, as `LinkToken::scope_in` does) and write the view's audit row, committed.
-- The page itself does more (it reads the invitation, the meeting, the child's texts and the
-- answer) and now writes the view's row in batches after the page (src/audit/views.rs), so this
-- is the cost of a lookup and a synchronous commit per view: the yardstick issue 17 names.
--   pgbench -n -M prepared -c 64 -j 2 -T 10 -f bench/invitee_essential.sql \
--     -D hash=HEX -D tenant=UUID -D participant=UUID -D meeting=UUID postgres://tillit_app@…/db
BEGIN;
SELECT tenant_id, row_id, set_config('app.tenant_id', tenant_id::text, true)
  FROM platform_link_lookup('invitation', decode(:hash, 'hex'));
INSERT INTO audit_log (tenant_id, actor_kind, actor_id, action, object_kind, object_id)
  VALUES (:tenant::uuid, 'invitee', :participant, 'invitation.view', 'meeting', :meeting);
COMMIT;
