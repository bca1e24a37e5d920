-- Run once by the postgres image when the database volume is first created: the login role
-- Renkei serves requests as (migration 0015 gives it its privileges). Change the password here
-- and in RENKEI_APP_DATABASE_URL together.
CREATE ROLE renkei_app LOGIN PASSWORD 'change-this-app-password';
