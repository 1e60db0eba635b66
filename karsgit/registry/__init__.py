"""The OCI registry stage: the one package that speaks HTTP (DESIGN.md §3).

``client`` is a small distribution-spec client (blobs and manifests by digest,
tags, Bearer and Basic auth from the docker configuration), ``publish`` pushes
compiled bundles and their committed cosign signatures, ``fetch`` reads back
what the kars controller reads. Nothing here prints or exits.
"""
