"""Throttling of password guesses: at sign-in and at the current-password check of a password
change. Counters live in Redis when REDIS_URL is set (every app node shares them), otherwise in
the database (table login_throttles), and either way they cannot be raced.

**Not raced.** An attempt is *reserved* before its password is checked: one atomic step (a Lua
script in Redis; in the database a transaction of its own that takes the write lock with its
first statement — row locks from INSERT … ON CONFLICT and SELECT … FOR UPDATE on PostgreSQL,
SQLite's single writer lock — and commits before the check) reads the counters, refuses if any
of them says "wait", and otherwise counts the attempt as a failure. A right password then takes
its reservation back. So 40 parallel guesses run exactly as many password checks as the limits
allow, never more, and whatever wins a race is counted.

**Not turned against the owner.** Three counters, each forgiving a few failures and then making
the next attempt wait: a delay that doubles with every further failure, up to a cap. Nothing is
ever locked until an admin acts: a right password waits at most the current delay.

- the *pair* (account, address): strict — 5 failures forgiven, then 30 s, 1, 2, 4 … up to
  15 min. One guesser at one place gets about 100 guesses a day.
- the *address*: strict too, but roomier, as a commune office or a mobile carrier puts many
  people behind one address — 20 forgiven, then the same delays. It stops one place from
  trying a few passwords on each of many accounts.
- the *account*: lenient and short — 10 forgiven, then 5 s doubling up to 1 min. It slows a
  guesser spread over many addresses (whom the other two do not see) to a guess a minute, and
  the most it can make the owner wait is that minute.

An address the account signed in from (remembered 30 days) is *known*: an attempt from it counts
only on its pair, so the owner at their usual place is never slowed by anybody else's guesses;
only their own mistakes there count. A success forgets the pair's failures. An admin may unlock
an account: its counter and its pairs are cleared (audited by the caller, auth.services).

A counter is forgotten a day (LOGIN_FAILURE_WINDOW_SECONDS) after its delay ends, so waiting
does not buy a fresh set of forgiven guesses every quarter of an hour. Accounts that do not
exist are counted alike: answering differently would tell which exist. The numbers above are
the defaults of webapp/config.py. Times are the app's clock (webapp.db.utcnow), not Redis's:
nodes keep their clocks in step (NTP), and tests can travel in time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from webapp import kv
from webapp.auth.models import LoginThrottle
from webapp.db import utcnow
from webapp.extensions import db, side_engine

_PREFIX = "throttle:"


@dataclass(frozen=True)
class Rule:
    """A counter's rule: failures forgiven, then the first delay, doubling up to `max_delay`."""

    free: int
    delay: int  # seconds
    max_delay: int  # seconds

    def delay_after(self, failures: int) -> int:
        """Seconds the next attempt waits once `failures` are counted."""
        if failures < self.free:
            return 0
        return min(self.max_delay, self.delay * 2 ** min(failures - self.free, 30))


@dataclass(frozen=True)
class Limits:
    pair: Rule
    address: Rule
    account: Rule
    window: int  # seconds a counter is kept after its delay ends
    known_days: int  # how long an address of a successful sign-in stays known

    @classmethod
    def from_config(cls, config) -> Limits:
        return cls(
            pair=Rule(
                config["LOGIN_MAX_FAILURES_PER_PAIR"],
                config["LOGIN_DELAY_SECONDS"],
                config["LOGIN_MAX_DELAY_SECONDS"],
            ),
            address=Rule(
                config["LOGIN_MAX_FAILURES_PER_ADDRESS"],
                config["LOGIN_DELAY_SECONDS"],
                config["LOGIN_MAX_DELAY_SECONDS"],
            ),
            account=Rule(
                config["LOGIN_MAX_FAILURES_PER_ACCOUNT"],
                config["LOGIN_ACCOUNT_DELAY_SECONDS"],
                config["LOGIN_ACCOUNT_MAX_DELAY_SECONDS"],
            ),
            window=config["LOGIN_FAILURE_WINDOW_SECONDS"],
            known_days=config["LOGIN_KNOWN_ADDRESS_DAYS"],
        )


def _account_key(username: str) -> str:
    return f"account:{username}"


def _pair_key(username: str, address: str) -> str:
    # Addresses hold no "|": the last one ends the username.
    return f"pair:{username}|{address}"


def _address_key(address: str) -> str:
    return f"address:{address}"


def _known_key(username: str, address: str) -> str:
    return f"known:{username}|{address}"


def _pairs_key(username: str) -> str:
    """Redis: the set of the account's pair keys (for unlock, without scanning every key)."""
    return f"pairs:{username}"


@dataclass(frozen=True)
class Attempt:
    """A reserved attempt (wait == 0) or a refused one (wait: seconds until one may run)."""

    username: str
    address: str
    wait: int = 0
    counted: tuple[str, ...] = field(default=())  # the counters the reservation raised


def _counters(username: str, address: str, limits: Limits, known: bool) -> dict[str, Rule]:
    counters = {_pair_key(username, address): limits.pair}
    if not known:
        counters[_account_key(username)] = limits.account
        counters[_address_key(address)] = limits.address
    return counters


def reserve(username: str, address: str, limits: Limits) -> Attempt:
    """Count an attempt before its password is checked, or refuse it with the wait."""
    # Bounded, so keys fit their column: usernames have 80 characters at most, addresses 45
    # (IPv6) and whatever a misconfigured proxy lets through is cut.
    username, address = username[:80], address[:64]
    now = utcnow()
    store = kv.client()
    if store is not None:
        known = _redis_known(store, username, address, now)
        counters = _counters(username, address, limits, known)
        wait = _redis_reserve(store, username, counters, limits, now)
    else:
        wait, counters = _db_reserve(username, address, limits, now)
    if wait:
        return Attempt(username, address, wait=wait)
    return Attempt(username, address, counted=tuple(counters))


def succeeded(attempt: Attempt, limits: Limits) -> None:
    """The password was right: take the reservation back, forget the pair's failures and
    remember the address as known."""
    pair = _pair_key(attempt.username, attempt.address)
    others = [key for key in attempt.counted if key != pair]
    known = _known_key(attempt.username, attempt.address)
    store = kv.client()
    if store is not None:
        _redis_succeeded(store, pair, others, known, limits, utcnow())
    else:
        _db_succeeded(pair, others, known, limits, utcnow())


def unlock(username: str) -> None:
    """Clear the account's counter and every pair of it (an admin's unlock)."""
    store = kv.client()
    if store is not None:
        index = _PREFIX + _pairs_key(username)
        store.delete(_PREFIX + _account_key(username), *store.smembers(index), index)
    else:
        with side_engine().begin() as conn:
            # The account's row first, then its pairs: the order reservations lock them in.
            account = _account_key(username)
            conn.execute(sa.delete(LoginThrottle).where(LoginThrottle.key == account))
            conn.execute(
                sa.delete(LoginThrottle).where(
                    LoginThrottle.key.startswith(_pair_key(username, ""), autoescape=True)
                )
            )


def failures(username: str) -> int:
    """Failures counted on the account and its pairs now (for the admin's user page)."""
    store = kv.client()
    now = utcnow()
    if store is not None:
        return _redis_failures(store, username, now)
    return (
        db.session.scalar(
            sa.select(sa.func.max(LoginThrottle.failures)).where(
                sa.or_(
                    LoginThrottle.key == _account_key(username),
                    LoginThrottle.key.startswith(_pair_key(username, ""), autoescape=True),
                ),
                LoginThrottle.expires_at > now,
            )
        )
        or 0
    )


# Redis: one script per step, so each runs atomically on the server that every node shares.
# A counter is a hash: f = failures; n = when the next attempt may run and e = when the counter
# is forgotten, in epoch milliseconds of the app's clock (integers: exact in Lua's doubles).
# Redis's own expiry (PEXPIRE, the same span) only clears what nobody asks for again.
_RESERVE = """
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2]) * 1000
local counters = #KEYS - 1  -- the last key is the account's set of pair keys; the first a pair
local wait = 0
for i = 1, counters do
  local key = KEYS[i]
  local state = redis.call('HMGET', key, 'n', 'e')
  if state[2] and tonumber(state[2]) <= now then
    redis.call('DEL', key)
  elseif state[1] and tonumber(state[1]) - now > wait then
    wait = tonumber(state[1]) - now
  end
end
if wait > 0 then return string.format('%d', wait) end
for i = 1, counters do
  local key = KEYS[i]
  local free = tonumber(ARGV[3 * i])
  local delay = tonumber(ARGV[3 * i + 1])
  local max_delay = tonumber(ARGV[3 * i + 2])
  local failures = redis.call('HINCRBY', key, 'f', 1)
  local pause = 0
  if failures >= free then
    pause = math.min(max_delay, delay * 2 ^ math.min(failures - free, 30)) * 1000
  end
  redis.call('HSET', key, 'n', string.format('%d', now + pause),
             'e', string.format('%d', now + pause + window))
  redis.call('PEXPIRE', key, string.format('%d', pause + window))
end
redis.call('SADD', KEYS[#KEYS], KEYS[1])
redis.call('PEXPIRE', KEYS[#KEYS], string.format('%d', tonumber(ARGV[5]) * 1000 + window))
return '0'
"""

_SUCCEEDED = """
redis.call('DEL', KEYS[1])
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
for i = 3, #KEYS do
  local failures = tonumber(redis.call('HGET', KEYS[i], 'f') or '0')
  if failures > 0 then
    redis.call('HINCRBY', KEYS[i], 'f', -1)
  end
end
return 0
"""


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _redis_known(store, username: str, address: str, now: datetime) -> bool:
    until = store.get(_PREFIX + _known_key(username, address))
    return until is not None and int(until) > _ms(now)


def _redis_reserve(
    store, username: str, counters: dict[str, Rule], limits: Limits, now: datetime
) -> int:
    args: list = [_ms(now), limits.window]
    for rule in counters.values():  # the pair's first: ARGV[5] is its longest delay
        args += [rule.free, rule.delay, rule.max_delay]
    keys = [_PREFIX + key for key in counters] + [_PREFIX + _pairs_key(username)]
    wait_ms = int(store.eval(_RESERVE, len(keys), *keys, *args))
    return -(-wait_ms // 1000)


def _redis_succeeded(
    store, pair: str, others: list[str], known: str, limits: Limits, now: datetime
) -> None:
    keys = [_PREFIX + pair, _PREFIX + known, *(_PREFIX + key for key in others)]
    span = limits.known_days * 24 * 3600 * 1000
    store.eval(_SUCCEEDED, len(keys), *keys, _ms(now) + span, span)


def _redis_failures(store, username: str, now: datetime) -> int:
    keys = [_PREFIX + _account_key(username), *store.smembers(_PREFIX + _pairs_key(username))]
    counted = [store.hmget(key, "f", "e") for key in keys]
    return max((int(f) for f, e in counted if f and e and int(e) > _ms(now)), default=0)


# The database: each step is a transaction of its own on its own connection, committed at once,
# so the reservation is seen by every other request before the password is checked.


def _insert(conn):
    return (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(LoginThrottle)


def _db_reserve(
    username: str, address: str, limits: Limits, now: datetime
) -> tuple[int, dict[str, Rule]]:
    with side_engine().connect() as conn:
        # Whether the address is known is read first, in a transaction of its own (it is not
        # raced: it only changes at a success), on the same connection, so that a request holds
        # one connection at a time.
        is_known = conn.scalar(
            sa.select(sa.func.count()).where(
                LoginThrottle.key == _known_key(username, address), LoginThrottle.expires_at > now
            )
        )
        conn.commit()
        counters = _counters(username, address, limits, bool(is_known))
        with conn.begin():
            return _reserve_rows(conn, counters, limits, now), counters


def _reserve_rows(conn, counters: dict[str, Rule], limits: Limits, now: datetime) -> int:
    keys = sorted(counters)  # one order for every transaction: no deadlock between them
    # The first statement writes: it takes SQLite's writer lock for the whole transaction, and
    # on PostgreSQL makes sure each row exists to be locked below.
    conn.execute(
        _insert(conn)
        .values([{"key": key, "failures": 0, "expires_at": now} for key in keys])
        .on_conflict_do_nothing(index_elements=["key"])
    )
    locked = conn.execute(
        sa.select(
            LoginThrottle.key,
            LoginThrottle.failures,
            LoginThrottle.next_at,
            LoginThrottle.expires_at,
        )
        .where(LoginThrottle.key.in_(keys))
        .order_by(LoginThrottle.key)
        .with_for_update()
    ).all()
    rows = {row.key: row for row in locked if row.expires_at > now}
    waits = [
        (row.next_at - now).total_seconds()
        for row in rows.values()
        if row.next_at is not None and row.next_at > now
    ]
    if waits:
        return math.ceil(max(waits))
    for key in keys:
        failures = (rows[key].failures if key in rows else 0) + 1
        next_at = now + timedelta(seconds=counters[key].delay_after(failures))
        conn.execute(
            sa.update(LoginThrottle)
            .where(LoginThrottle.key == key)
            .values(
                failures=failures,
                next_at=next_at,
                expires_at=next_at + timedelta(seconds=limits.window),
            )
        )
    # Forget what has expired, now and then (rows are few: one per recent guesser).
    conn.execute(sa.delete(LoginThrottle).where(LoginThrottle.expires_at < now))
    return 0


def _db_succeeded(pair: str, others: list[str], known: str, limits: Limits, now: datetime) -> None:
    # Rows in key order (account, address, known, pair), as reservations lock them: no deadlock.
    with side_engine().begin() as conn:
        for key in sorted(others):
            conn.execute(
                sa.update(LoginThrottle)
                .where(LoginThrottle.key == key, LoginThrottle.failures > 0)
                .values(failures=LoginThrottle.failures - 1)
            )
        remembered = now + timedelta(days=limits.known_days)
        conn.execute(
            _insert(conn)
            .values(key=known, failures=0, expires_at=remembered)
            .on_conflict_do_update(index_elements=["key"], set_={"expires_at": remembered})
        )
        conn.execute(sa.delete(LoginThrottle).where(LoginThrottle.key == pair))
