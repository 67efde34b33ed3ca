"""`stack-review`: what a change does to every stack of every environment, offline.

Modules, one per concern: revisions (a git revision as a folder), discovery (stacks and
environments), render (one renderer process per revision; worker is that process),
deployed (templates deployed in an account), diff (what changed), schemas (cfn-lint's
resource schemas), impact (replace/destroy/orphan, data loss), indexes (one global
secondary index added or deleted per table per update), expiry (a kept table's TTL moved
or removed), security, values (short values), text and markdown (the two formats), cli
(arguments, exit codes).
"""
