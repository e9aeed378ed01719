#!/usr/bin/env bash
# The admin dashboard suite: type check, committed bundle up to date, and browser tests (Debian Chromium against the
# standalone host built by test.sh; screenshots in test-output/dashboard-*.png).
exec bash "$(dirname "$0")/../lib/web-suite.sh" dashboard web/dashboard dashboard dashboard.js dashboard.css
