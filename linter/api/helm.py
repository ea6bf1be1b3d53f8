"""Helper tier: consul chart values and what each Helm install makes of them.

``project_installs(project)`` is every install (values files merged per cluster, chart
defaults applied); ``install_for(project, cluster)`` one cluster's; ``chart_failures``
are the chart's own ``fail`` calls a set of values would trigger at ``helm install``.
A facade over :mod:`linter.k8s.helm` and :mod:`linter.k8s.chartfails`."""

from __future__ import annotations

from linter.k8s.chartfails import failures as chart_failures
from linter.k8s.helm import HelmValues, install_for, project_installs, truthy

__all__ = ["HelmValues", "install_for", "project_installs", "truthy", "chart_failures"]
