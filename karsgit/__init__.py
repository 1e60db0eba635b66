"""karsgit: GitOps policy compiler and pre-commit gate for kars sandbox egress.

Data flows one way through the subpackages, in this order:

    source/     discover files, read YAML as the cluster does, typed kars objects
    render/     kustomization roots rendered by kustomize, findings mapped to sources
    schema.py   validate against the shipped JSON schemas
    normalize/  the host/port normal form, unsafe hosts, TTLs
    rules/      the rule engine, suppressions, one module per rule family
    bundle/     compile: canonical allowlist bundles and their plan
    signing/    sign and verify (keyless, cosign key), who is trusted
    registry/   publish to and verify against the OCI registry (the one HTTP user)
    edit/       round-trip manifest edits and atomic writes
    report/     every output format
    run/        one flow per command, returning values
    cli/        click: options -> settings -> run -> report -> exit code

Beside them: settings.py (the run's settings, plain data) and config.py (their one
loader, from .karsgit.yaml and the environment), findings.py, errors.py, workers.py.
"""

__version__ = "0.1.0"
