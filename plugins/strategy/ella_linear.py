# The kit's default strategy: Ansible's "linear" order, run through Mitogen when it is installed on the
# controller (testhosts/requirements-controller.txt pins it). Mitogen keeps one Python interpreter per host
# for the whole play instead of starting one per task; a converged host's re-deploy takes about a third of
# the time (docs/deployment.md, "Converge time"). Without Mitogen this is Ansible's own linear strategy.
# Opt out for a run with ANSIBLE_STRATEGY=linear.
from __future__ import annotations

DOCUMENTATION = """
name: ella_linear
short_description: Ansible's linear strategy, through Mitogen when it is installed
description:
  - Tasks run host by host in play order, as with C(linear). When the C(mitogen) package is importable
    on the controller its connection multiplexer is used; otherwise this is C(linear) itself.
author: ELLA ops kit
"""

try:
    from ansible_mitogen.plugins.strategy.mitogen_linear import StrategyModule
except ImportError:  # no Mitogen on this controller
    from ansible.plugins.strategy.linear import StrategyModule

__all__ = ["StrategyModule"]
