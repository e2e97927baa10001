"""The guardrails policy pack. Run by the Pulumi CLI:

    pulumi preview --policy-pack policypack

Every policy is mandatory. The policies themselves live in ``guardrails.py`` so that
tests can import and call them (``PolicyPack`` starts a server and blocks).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the project: vault_platform

from pulumi_policy import EnforcementLevel, PolicyPack  # noqa: E402

from guardrails import POLICIES  # noqa: E402

PolicyPack(name="vault-platform-guardrails", enforcement_level=EnforcementLevel.MANDATORY, policies=POLICIES)
