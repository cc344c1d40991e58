"""The shared Redis: configured by REDIS_URL, absent otherwise."""

from webapp import kv


def test_no_redis_unless_configured(app):
    with app.app_context():
        assert kv.client() is None


def test_redis_app_reaches_its_redis(redis_app, redis_store):
    with redis_app.app_context():
        kv.client().set("probe", "1")
    assert redis_store.get("probe") == b"1"
