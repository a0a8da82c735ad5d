# Sourced by guest-userland.sh and build-initramfs.sh.
# tree_path ROOT PATH: the file that PATH names inside the unpacked tree
# ROOT, its symbolic links followed inside ROOT (an absolute link names a
# file of the tree, not of this machine); fails if there is none.
tree_path() {
	tp_root=$1 tp_path=$2 tp_n=0
	while [ -L "$tp_root$tp_path" ] && [ $tp_n -lt 16 ]; do
		tp_link=$(readlink "$tp_root$tp_path")
		case $tp_link in
		/*)	tp_path=$tp_link ;;
		*)	tp_path=$(dirname "$tp_path")/$tp_link ;;
		esac
		tp_n=$((tp_n + 1))
	done
	[ -f "$tp_root$tp_path" ] && [ ! -L "$tp_root$tp_path" ] &&
	    echo "$tp_root$tp_path"
}
