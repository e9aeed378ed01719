#!/usr/bin/env bash
# The <ai-text-enhancer> suite: type check, committed bundles up to date, Vitest unit tests (happy-dom) and browser
# tests (Debian Chromium against the standalone host built by test.sh).
exec bash "$(dirname "$0")/../lib/web-suite.sh" ai-text-enhancer web/ai-text-enhancer js ai-text-enhancer.umd.js ai-text-enhancer.es.js
