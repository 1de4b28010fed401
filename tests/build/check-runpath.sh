#!/usr/bin/env bash
# Every ELF file the build produced carries only absolute search paths
# (RPATH/RUNPATH): an empty or relative entry makes the loader search the
# current directory, so a binary run inside a model's folder would load a
# library planted there. $ORIGIN (the binary's own folder) is allowed.
#   check-runpath.sh BUILD_DIR
set -u
dir=${1:?usage: check-runpath.sh BUILD_DIR}
checked=0 bad=0
while IFS= read -r -d '' f; do
  head -c4 "$f" 2>/dev/null | grep -q $'\x7fELF' || continue
  checked=$((checked + 1))
  while IFS= read -r paths; do
    # An empty entry: a leading or trailing ':', '::', or an empty list.
    IFS=: read -r -a entries <<<"$paths"
    if [[ -z "$paths" || "$paths" == :* || "$paths" == *: || "$paths" == *::* ]]; then
      echo "FAIL: $f: empty search path entry in [$paths]"; bad=$((bad + 1)); continue
    fi
    for e in "${entries[@]}"; do
      case "$e" in
        /*|'$ORIGIN'|'$ORIGIN'/*) ;;
        *) echo "FAIL: $f: relative search path '$e' in [$paths]"; bad=$((bad + 1)) ;;
      esac
    done
  done < <(readelf -d "$f" 2>/dev/null | sed -n 's/.*(\(RPATH\|RUNPATH\)).*\[\(.*\)\]$/\2/p')
done < <(find "$dir" -type f \( -perm -u+x -o -name '*.so*' -o -name '*.o' \) \
           -not -path '*/CMakeFiles/*' -print0)
echo "checked $checked ELF files, $bad bad search paths"
[ "$checked" -gt 0 ] && [ "$bad" -eq 0 ]
