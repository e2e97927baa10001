"""A database engine: connections (root credentials as Pulumi secrets), dynamic roles
and static roles. Roles wait for their connection, connections for their password policy."""

from __future__ import annotations

import pulumi
import pulumi_vault as vault

from components.config.vault.engines import DATABASE_PLUGINS, SecretEngineSpec
from components.config.base import ttl_seconds
from components.vault.scope import Scope


def declare(scope: Scope, spec: SecretEngineSpec, mount: vault.Mount,
            password_policies: dict[str, pulumi.Resource]) -> list[pulumi.Resource]:
    database = spec.database
    assert database is not None
    created: list[pulumi.Resource] = []
    connections: dict[str, pulumi.Resource] = {}
    for connection in database.connections:
        needs = [mount, *([password_policies[connection.password_policy]] if connection.password_policy else [])]
        plugin = {
            "connection_url": connection.connection_url,
            "username": connection.username,
            "password": pulumi.Output.secret(connection.password.reveal()),
            "max_open_connections": connection.max_open_connections,
        }
        resource = vault.database.SecretBackendConnection(
            scope.resource_name("database-connection", spec.namespace, spec.path, connection.name),
            backend=mount.path,
            namespace=spec.namespace,
            name=connection.name,
            plugin_name=DATABASE_PLUGINS[connection.plugin],
            allowed_roles=list(connection.allowed_roles),
            verify_connection=connection.verify_connection,
            password_policy=connection.password_policy,
            root_rotation_statements=list(connection.root_rotation_statements) or None,
            opts=scope.opts(spec.namespace, needs),
            **{connection.plugin: plugin},
        )
        connections[connection.name] = resource
        created.append(resource)
    for role in database.roles:
        created.append(vault.database.SecretBackendRole(
            scope.resource_name("database-role", spec.namespace, spec.path, role.name),
            backend=mount.path,
            namespace=spec.namespace,
            name=role.name,
            db_name=role.connection,
            creation_statements=list(role.creation_statements),
            revocation_statements=list(role.revocation_statements),
            rollback_statements=list(role.rollback_statements) or None,
            renew_statements=list(role.renew_statements) or None,
            default_ttl=ttl_seconds(role.default_ttl),
            max_ttl=ttl_seconds(role.max_ttl),
            opts=scope.opts(spec.namespace, [connections[role.connection]]),
        ))
    for role in database.static_roles:
        created.append(vault.database.SecretBackendStaticRole(
            scope.resource_name("database-static-role", spec.namespace, spec.path, role.name),
            backend=mount.path,
            namespace=spec.namespace,
            name=role.name,
            db_name=role.connection,
            username=role.username,
            rotation_period=ttl_seconds(role.rotation_period),
            rotation_statements=list(role.rotation_statements) or None,
            opts=scope.opts(spec.namespace, [connections[role.connection]]),
        ))
    return created
