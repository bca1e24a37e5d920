-- The login limits, shared by every Renkei process (db::login_limits).
-- The old soft lock was keyed by email alone: six wrong passwords from anywhere locked the owner
-- out. Its rows are transient (a day at most), so they are dropped, not carried over.
DROP TABLE login_throttle;

-- Rate buckets for POST /login, as GCRA: `ready_at` is when the bucket would be full again.
-- `email_key` '' is the address-wide ceiling; otherwise one account from one address.
-- `client_net` is the client's address (IPv4 /32, IPv6 /64).
CREATE TABLE login_rate (
    client_net cidr        NOT NULL,
    email_key  text        NOT NULL,
    ready_at   timestamptz NOT NULL,
    PRIMARY KEY (client_net, email_key)
);
CREATE INDEX login_rate_ready_idx ON login_rate (ready_at);

-- Failed passwords for one account from one address, and the soft lock they lead to; keyed by
-- the normalised email whether or not such a user exists, so the lock does not reveal which
-- emails have accounts. The owner at another address is not locked out by them.
CREATE TABLE login_failure (
    email_key      text        NOT NULL,
    client_net     cidr        NOT NULL,
    failures       integer     NOT NULL CHECK (failures > 0),
    last_failed_at timestamptz NOT NULL DEFAULT now(),
    locked_until   timestamptz,
    PRIMARY KEY (email_key, client_net)
);
CREATE INDEX login_failure_last_idx ON login_failure (last_failed_at);
