DROP TABLE sms_messages;
ALTER TABLE tenants DROP COLUMN sms_sender;
