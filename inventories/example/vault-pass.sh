#!/bin/sh
# Vault password script for the example inventory: Ansible runs it and reads the vault password from its
# standard output (--vault-password-file inventories/example/vault-pass.sh). It never stores the password:
#   1. $ELLA_VAULT_PASSWORD, when set (CI secrets)
#   2. `pass show ella/ansible-vault`, when the pass password manager is installed
#   3. otherwise it fails and says so
set -eu
if [ -n "${ELLA_VAULT_PASSWORD:-}" ]; then
  printf '%s\n' "$ELLA_VAULT_PASSWORD"
elif command -v pass >/dev/null 2>&1; then
  pass show ella/ansible-vault | head -n 1
else
  echo "vault-pass.sh: set ELLA_VAULT_PASSWORD or store the password with: pass insert ella/ansible-vault" >&2
  exit 1
fi
