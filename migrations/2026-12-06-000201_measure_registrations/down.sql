DROP TABLE IF EXISTS measure_registrations;
