"""The studio's core (no Flask): accounts and roles, drafts of the phrasebook set, review, publishing.

The web layer (tact.web.studio_api and tact.web.workbench) and the `tact users` command call these.
"""
