"""The render stage, between discovery and loading: kustomization roots are
rendered by the real kustomize and judged as the cluster receives them.

``tree`` reads the kustomization graph, ``kustomize`` runs the renderer,
``sources`` and ``mapping`` move findings to the lines that gave the values,
``drift`` compares rendered sandboxes with their bundles, ``stage`` ties them
into ``check``; ``edits`` (``check --base``) and ``sides`` (``diff``) render both
sides of a change.
"""
