"""The render stage, between discovery and loading: kustomization roots are
rendered by the real kustomize and judged as the cluster receives them.

``tree`` reads the kustomization graph, ``kustomize`` runs the renderer,
``sources`` and ``mapping`` move findings to the lines that gave the values,
``stage`` ties them into ``check``.
"""
