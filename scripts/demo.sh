#!/usr/bin/env bash
# The main job on the embedded sample: the memo pack (tables, figures, methods note) in
# ./takedowns-report, then the headline and the key tables printed here.
source "$(dirname "$0")/env.sh"
ensure_venv
build_python
"$VENV/bin/takedowns" report --out takedowns-report
for t in compliance_platform reach_group trend_month time_to_action_platform; do
  echo
  echo "## $t"
  cat "takedowns-report/tables/$t.md"
done
echo
echo "Open takedowns-report/report.md: the memo draft (rejects, headline, formatted tables, captioned"
echo "figures); methods.md for definitions and versions; tables/*.word.html for Word."
