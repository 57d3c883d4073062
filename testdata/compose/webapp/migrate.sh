# The one-shot migration: db must answer by its service name first.
until wget -q -O /tmp/db http://db/; do sleep 0.2; done
echo "migrated from $(cat /tmp/db)" > /schema/index.html
exit "${MIGRATE_EXIT:-0}"
