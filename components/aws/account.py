"""Facts about the AWS account the stack deploys into, as Pulumi outputs, and the tags
every AWS resource of the stack carries."""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import pulumi
import pulumi_aws as aws

if TYPE_CHECKING:
    from components.config.stack import StackConfig


def key_administrators(explicit: Sequence[str], provider: aws.Provider) -> pulumi.Output[list[str]]:
    """Who administers a KMS key the stack creates: the configured principals, else the
    account itself (``arn:<partition>:iam::<account>:root``: IAM policies decide)."""
    if explicit:
        return pulumi.Output.from_input(list(explicit))
    identity = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(provider=provider))
    partition = aws.get_partition_output(opts=pulumi.InvokeOutputOptions(provider=provider))
    return pulumi.Output.all(partition.partition, identity.account_id).apply(
        lambda values: [f"arn:{values[0]}:iam::{values[1]}:root"])


def stack_tags(config: "StackConfig", stack: str) -> dict[str, str]:
    """The tags every AWS resource of the stack carries."""
    return {"vault-platform/stack": stack, "vault-platform/environment": config.environment}
