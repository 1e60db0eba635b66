"""Stage 1-3, where manifests come from: discovery, git, the YAML reader that reads values
as the cluster does, the typed kars objects, revisions and the repository index.
"""
