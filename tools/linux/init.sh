#!/bin/sh
# tools/linux/init.sh: /init of the Moat Linux test initramfs (busybox). Prints one
# "moat-linux: ..." line per fact, then powers the machine off. Built in by tools/linux/fetch.sh.
#
# Lines, in order:
#   moat-linux: init started
#   moat-linux: tsc N                    the TSC as /init starts (decimal; rdtsc by moat-helper)
#   moat-linux: hypervisor flag present|absent     CPUID.1:ECX[31], from /proc/cpuinfo's flags
#   moat-linux: memory N MiB             RAM in the firmware memory map (E820/PVH memmap,
#                                        /sys/firmware/memmap), rounded to the nearest MiB
#   moat-linux: memtotal N MiB           MemTotal from /proc/meminfo (what the kernel kept)
#   moat-linux: memory check ok|FAIL (expected N MiB)   only with moat.mem=N on the command line
#   moat-linux: checksum HEX             sha256 of /moat/known.bin (fetch.sh records the expected
#                                        value in build/linux/known.sha256)
#   moat-linux: uptime S                 /proc/uptime's first field
#   moat-linux: tsc N                    the TSC at the end marker
#   moat-linux: done
# Kernel command-line options read here:
#   moat.mem=N      configured memory in MiB, checked against the memory map
#   moat.shell=yes  after "done", an interactive busybox shell on the console (make run RUN=bochs);
#                   leaving it powers off
#   moat.exit=bochs leave bare Bochs through its "Shutdown" port (0x8900); without it, or if
#                   that returns, `poweroff -f` (the guest's ordinary power-off request)
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys

say() { echo "moat-linux: $*"; }
say "init started"
say "tsc $(moat-helper tsc)"

exp_mem="" exit_how="" shell=""
read -r cmdline </proc/cmdline
for w in $cmdline; do
	case $w in
	moat.mem=*) exp_mem=${w#moat.mem=} ;;
	moat.exit=*) exit_how=${w#moat.exit=} ;;
	moat.shell=*) shell=${w#moat.shell=} ;;
	esac
done

if grep '^flags' /proc/cpuinfo | grep -qw hypervisor; then
	say "hypervisor flag present"
else
	say "hypervisor flag absent"
fi

ram=0
for d in /sys/firmware/memmap/*; do
	[ "$(cat "$d/type" 2>/dev/null)" = "System RAM" ] || continue
	ram=$((ram + $(cat "$d/end") - $(cat "$d/start") + 1))
done
MIB=1048576
mem_mib=$(((ram + MIB / 2) / MIB))
say "memory $mem_mib MiB"
kib=$(grep '^MemTotal:' /proc/meminfo | sed 's/[^0-9]//g')
say "memtotal $((kib / 1024)) MiB"
if [ -n "$exp_mem" ]; then
	if [ "$mem_mib" = "$exp_mem" ]; then
		say "memory check ok (expected $exp_mem MiB)"
	else
		say "memory check FAIL (expected $exp_mem MiB)"
	fi
fi

sum=$(sha256sum /moat/known.bin)
say "checksum ${sum%% *}"
read -r up _ </proc/uptime
say "uptime $up"
say "tsc $(moat-helper tsc)"
say "done"

if [ "$shell" = yes ]; then
	busybox --install -s /bin 2>/dev/null # every applet, for the person at the keyboard
	say "shell: type commands; 'exit' or 'poweroff -f' powers the VM off"
	sh
fi
moat-helper drain
[ "$exit_how" = bochs ] && moat-helper bochs-exit
poweroff -f
say "poweroff failed"
while :; do sleep 3600; done
