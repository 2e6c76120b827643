#!/usr/bin/env bash
# Restore a backup of scripts/backup.sh into a NEW database and attachments directory, bring
# the schema up to this version, and check that the database, the attachments and the keys
# belong together (`bansos verify-data`: people and complaints open with the keys, every
# attachment file is there with its recorded SHA-256). Exit 0 only if all of that holds.
#
#   NIK_HASH_KEY=… DATA_ENCRYPTION_KEY=… SECRET_KEY=… \
#   scripts/restore_check.sh [--drop] BACKUP_DIR postgresql://user:pw@host:5432/NEW_NAME [ATTACHMENTS_DIR]
#
# NEW_NAME must not exist yet (it is created, so a restore never lands on live data); the
# attachments go to ATTACHMENTS_DIR (must be empty or absent; a temporary directory if not
# given). --drop removes both afterwards: the monthly drill that proves backups work.
# BANSOS names the command to run (default `bansos`).
set -euo pipefail

drop=0
if [ "${1:-}" = "--drop" ]; then
    drop=1
    shift
fi
backup="${1:?usage: scripts/restore_check.sh [--drop] BACKUP_DIR TARGET_DATABASE_URL [ATTACHMENTS_DIR]}"
target="${2:?give the postgresql://… URL of the new database to restore into}"
files="${3:-$(mktemp -d "${TMPDIR:-/tmp}/bansos-restore-XXXXXX")}"
bansos="${BANSOS:-bansos}"

target="$(printf '%s' "$target" | sed -E 's#^postgres(ql)?\+[a-z0-9]+://#postgresql://#')"
name="${target##*/}"
name="${name%%\?*}"
server="${target%/*}/postgres"
case "$name" in
    ''|*[!A-Za-z0-9_]*) echo "The database name '$name' must be letters, digits and _ only." >&2; exit 2 ;;
esac
if [ -n "$(ls -A "$files" 2>/dev/null)" ]; then
    echo "$files is not empty: give an empty or new directory for the attachments." >&2
    exit 2
fi

# Only what this run created is ever removed: never a database that existed before it.
created=0
cleanup() {
    if [ "$drop" = 1 ] && [ "$created" = 1 ]; then
        psql -q -v ON_ERROR_STOP=1 "$server" -c "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" >/dev/null || true
        rm -rf "$files"
    fi
}
trap cleanup EXIT

echo "Checking the backup's checksums"
(cd "$backup" && sha256sum --check --quiet SHA256SUMS)

echo "Restoring the database into $name (new)"
psql -q -v ON_ERROR_STOP=1 "$server" -c "CREATE DATABASE \"$name\""
created=1
pg_restore --exit-on-error --no-owner --no-privileges --dbname "$target" "$backup/database.dump"

echo "Restoring the attachments into $files"
mkdir -p "$files"
tar -C "$files" -xzf "$backup/attachments.tar.gz"

export DATABASE_URL="$target" ATTACHMENTS_DIR="$files" REDIS_URL="${REDIS_URL:-memory://}"
echo "Bringing the schema up to this version"
$bansos migrate
echo "Checking the restored data with the keys"
$bansos verify-data --attachments 0
