# Helpers shared by the bench/ scripts; source it.

# db_url ADMIN_URL NAME prints ADMIN_URL with its database replaced by NAME
# (query parameters such as sslmode kept).
db_url() {
  python3 -c 'import sys, urllib.parse as u; p = u.urlparse(sys.argv[1]); print(p._replace(path="/" + sys.argv[2]).geturl())' "$1" "$2"
}

# median N... prints the median of its numeric arguments.
median() {
  printf '%s\n' "$@" | sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'
}
