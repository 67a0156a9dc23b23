DROP INDEX plans_case;
