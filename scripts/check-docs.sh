#!/usr/bin/env bash
# The documentation stays inside the repository, as a clone has it: every
# link of a Markdown file resolves to a file of this tree, no README,
# Documentation page or man page names a path that leads out of the tree
# (../ past its top, ../shared/), and Documentation/accel/dcaccel/index.rst
# lists every page there and only pages that exist. Prints TAP.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
echo "1..4"

if git rev-parse --is-inside-work-tree > /dev/null 2>&1; then
	mapfile -t docs < <(git ls-files --cached --others --exclude-standard \
		'*.md' '*.rst' '*.[1-9]' | while read -r f; do [ -f "$f" ] && echo "$f"; done)
else
	mapfile -t docs < <(find . -path ./build -prune -o -type f \
		\( -name '*.md' -o -name '*.rst' -o -name '*.[1-9]' \) -print | sed 's|^\./||')
fi

# inside PATH: the path, made absolute, is this tree or below it
inside() {
	local abs
	abs=$(realpath -m "$1")
	[ "$abs" = "$top" ] || [ "${abs#"$top"/}" != "$abs" ]
}

# 1: Markdown links
bad=() links=0
for f in "${docs[@]}"; do
	[ "${f%.md}" != "$f" ] || continue
	while read -r target; do
		target=${target#](}
		target=${target%)}
		target=${target%% *}	# [text](path "title")
		case "$target" in http://* | https://* | mailto:* | '#'*) continue ;; esac
		links=$((links + 1))
		path=$(dirname "$f")/${target%%#*}
		if ! inside "$path" || [ ! -e "$path" ]; then
			bad+=("$f: ($target)")
		fi
	done < <(grep -oE '\]\([^)]+\)' "$f")
done
if [ ${#bad[@]} -eq 0 ]; then
	echo "ok 1 - the $links links of ${#docs[@]} documents' Markdown resolve inside the repository"
else
	printf '# %s\n' "${bad[@]}"
	echo "not ok 1 - Markdown links that do not resolve inside the repository (above)"
fi

# 2: paths that climb out of the tree
bad=()
for f in "${docs[@]}"; do
	while IFS=: read -r line ref; do
		inside "$(dirname "$f")/$ref" || bad+=("$f:$line: $ref")
	done < <(grep -noE '(\.\./)+[A-Za-z0-9_.-]*' "$f")
	while IFS=: read -r line _; do
		bad+=("$f:$line: names shared/ARCHITECTURE.md, which a clone does not have")
	done < <(grep -nE '(^|[^A-Za-z0-9_])shared/ARCHITECTURE' "$f")
done
if [ ${#bad[@]} -eq 0 ]; then
	echo "ok 2 - no document names a path outside the repository"
else
	printf '# %s\n' "${bad[@]}"
	echo "not ok 2 - documents name paths outside the repository (above)"
fi

# 3-4: the Documentation index
dir=Documentation/accel/dcaccel
mapfile -t listed < <(awk '/^\.\. toctree::/ { t = 1; next }
	t && /^   [a-z]/ { print $1; next } t && /^[^ ]/ { t = 0 }' "$dir/index.rst")
missing=()
for p in "${listed[@]}"; do
	[ -f "$dir/$p.rst" ] || missing+=("$p")
done
if [ ${#listed[@]} -gt 0 ] && [ ${#missing[@]} -eq 0 ]; then
	echo "ok 3 - $dir/index.rst lists ${#listed[@]} pages, each of which exists"
else
	echo "not ok 3 - $dir/index.rst lists pages that do not exist: ${missing[*]:-(none listed)}"
fi
unlisted=()
for f in "$dir"/*.rst; do
	p=$(basename "$f" .rst)
	[ "$p" = index ] && continue
	printf '%s\n' "${listed[@]}" | grep -qx "$p" || unlisted+=("$p")
done
if [ ${#unlisted[@]} -eq 0 ]; then
	echo "ok 4 - every page of $dir is in its index"
else
	echo "not ok 4 - pages missing from $dir/index.rst: ${unlisted[*]}"
fi
