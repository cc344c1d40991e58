"""Running in production: the checks that refuse to start an unsafe configuration (checks.py),
gunicorn's settings (gunicorn.conf.py) and the nginx configuration shipped for the buffering
proxy in front (nginx.conf, filled in by nginx.py). README "Deploying" says how they fit."""
