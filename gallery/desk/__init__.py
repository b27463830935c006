"""The review desk: `serve`'s pages at /_desk/ where researchers record consent, resolve screening
flags, draw redactions and sign items off, without editing YAML.

survey.py says what state every caption file is in; edits.py turns a form into a caption-file edit
(as the review command makes them); pictures.py makes the screen-size pictures; server.py answers
the requests (watch.py hands it every /_desk/ request). Nothing here is ever written to the site.
"""
