#!/bin/sh
# LocalStack READY hook for docker-compose.yml (mounted into /etc/localstack/init/ready.d/): creates
# facesearch's shared CMK and its alias, the one-shot KMS set-up of the compose stack.
#
# It is a hook rather than a separate one-shot container on purpose: LocalStack's free edition keeps
# no state across restarts, so the key must come back every time LocalStack starts, and come back the
# same: a fixed key id and the key material from LOCALSTACK_KMS_KEY_MATERIAL. LocalStack's
# ciphertexts name the key id and are sealed with that material, so every tenant data key wrapped
# before a restart still unwraps after it. A local stand-in for AWS KMS, not a production KMS: the
# key material is a plain secret in .env.
set -eu

material="${FACESEARCH_KMS_KEY_MATERIAL:-}"
key_id="${FACESEARCH_KMS_KEY_UUID:?FACESEARCH_KMS_KEY_UUID is not set}"
alias_name="${FACESEARCH_KMS_ALIAS:-alias/facesearch}"
region="${FACESEARCH_AWS_REGION:-us-east-1}"
# The apps' access key picks the LocalStack account; use the same one so they see this key.
export AWS_ACCESS_KEY_ID="${FACESEARCH_AWS_ACCESS_KEY_ID:-test}"
export AWS_SECRET_ACCESS_KEY=test

if [ -z "$material" ] || [ "$(printf '%s' "$material" | base64 -d 2>/dev/null | wc -c)" -ne 32 ]; then
  echo "facesearch-kms: LOCALSTACK_KMS_KEY_MATERIAL must be 32 random bytes, base64 (openssl rand -base64 32)" >&2
  exit 1
fi

kms() { awslocal --region "$region" kms "$@"; }

if kms describe-key --key-id "$key_id" >/dev/null 2>&1; then
  echo "facesearch-kms: CMK $key_id already exists"
else
  kms create-key --description "facesearch shared CMK (LocalStack)" \
    --tags "[{\"TagKey\":\"_custom_id_\",\"TagValue\":\"$key_id\"},{\"TagKey\":\"_custom_key_material_\",\"TagValue\":\"$material\"}]" \
    >/dev/null
  echo "facesearch-kms: created CMK $key_id"
fi
if ! kms describe-key --key-id "$alias_name" >/dev/null 2>&1; then
  kms create-alias --alias-name "$alias_name" --target-key-id "$key_id"
fi
echo "facesearch-kms: $alias_name -> $key_id ready in $region"
