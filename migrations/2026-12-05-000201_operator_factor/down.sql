DROP TABLE operator_audit;
DROP TABLE operator_recovery_codes;
DROP TABLE operator_factors;
