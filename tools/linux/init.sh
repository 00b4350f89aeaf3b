#!/bin/sh
# tools/linux/init.sh: /init of the Moat Linux test initramfs (busybox). Prints one
# "moat-linux: ..." line per fact, then powers the machine off (or, with moat.exit=reboot, resets
# it). Built in by tools/linux/fetch.sh.
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
#   moat-linux: module NAME loaded for 0000:00:02.0    (or "... failed: REASON") a driver from
#                                        /lib/modules/moat whose PCI alias matches the function's
#                                        modalias, its dependencies loaded first
#   moat-linux: pci 0000:00:02.0 8086:100e class 0x020000 driver e1000   one line per PCI
#                                        function in /sys/bus/pci/devices ("driver none": unbound);
#                                        "moat-linux: pci none" when the kernel found no PCI bus
#                                        or no function on it
#   moat-linux: klog: TEXT               only with moat.klog=ERE: each kernel log line matching it
#   moat-linux: net eth0 up, carrier yes|no after N s    only with moat.net=dhcp, then one of
#   moat-linux: lease 10.0.2.15 from 10.0.2.2            the address and the DHCP server
#   moat-linux: lease FAIL: REASON                       no interface, or no lease after the tries
#   moat-linux: uptime S                 /proc/uptime's first field
#   moat-linux: tsc N                    the TSC at the end marker
#   moat-linux: done
# Kernel command-line options read here:
#   moat.mem=N      configured memory in MiB, checked against the memory map
#   moat.shell=yes  after "done", an interactive busybox shell on the console (make run RUN=bochs);
#                   leaving it powers off
#   moat.exit=bochs leave bare Bochs through its "Shutdown" port (0x8900); without it, or if
#                   that returns, `poweroff -f` (the guest's ordinary power-off request)
#   moat.exit=reboot end with `reboot -f` instead: the kernel resets the machine (ACPI reset
#                   register 0xCF9, then the keyboard controller), which Moat answers by
#                   restarting the VM within its `restarts = N` (the restart tests); prints
#                   "moat-linux: rebooting" first, "moat-linux: reboot failed" if it returns
#   moat.net=dhcp   bring the first network interface up and run busybox udhcpc on it (at most
#                   DHCP_TRIES discovers, DHCP_WAIT s apart; /etc/udhcpc.script configures the
#                   address and route); without it no interface is brought up. Under Moat only
#                   with a device the VM can DMA with (dma = protected); never in identity mode
#   moat.klog=ERE   print the kernel log lines matching the extended regex ERE (e.g. e1000), since
#                   `quiet loglevel=0` keeps them off the console
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys

say() { echo "moat-linux: $*"; }
say "init started"
say "tsc $(moat-helper tsc)"

exp_mem="" exit_how="" shell="" net="" klog=""
read -r cmdline </proc/cmdline
for w in $cmdline; do
	case $w in
	moat.mem=*) exp_mem=${w#moat.mem=} ;;
	moat.net=*) net=${w#moat.net=} ;;
	moat.klog=*) klog=${w#moat.klog=} ;;
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

MODDIR=/lib/modules/moat
DHCP_TRIES=5
DHCP_WAIT=3
CARRIER_WAIT=10
loaded=" "

load_module() { # NAME FUNCTION: NAME's dependencies (MODDIR/deps), then NAME
	line=$(grep "^$1.ko:" "$MODDIR/deps")
	for m in ${line#*:} "$1.ko"; do
		case $loaded in *" $m "*) continue ;; esac
		if err=$(insmod "$MODDIR/$m" 2>&1); then
			loaded="$loaded$m "
		else
			say "module ${m%.ko} failed for $2: ${err:-insmod failed}"
			return 1
		fi
	done
	say "module $1 loaded for $2"
}

# Drivers first, so that the listing below shows what bound.
for d in /sys/bus/pci/devices/*; do
	[ -r "$d/modalias" ] || continue
	read -r alias_of_dev <"$d/modalias"
	while read -r pattern mod; do
		# shellcheck disable=SC2254 # the alias is a glob on purpose
		case $alias_of_dev in $pattern)
			case $loaded in *" $mod.ko "*) ;; *) load_module "$mod" "${d##*/}" ;; esac
			break
			;;
		esac
	done <"$MODDIR/alias"
done

npci=0
for d in /sys/bus/pci/devices/*; do
	[ -r "$d/vendor" ] || continue
	read -r ven <"$d/vendor"
	read -r dev <"$d/device"
	read -r cls <"$d/class"
	drv=none
	[ -e "$d/driver" ] && drv=$(readlink "$d/driver") && drv=${drv##*/}
	say "pci ${d##*/} ${ven#0x}:${dev#0x} class $cls driver $drv"
	npci=$((npci + 1))
done
[ "$npci" -gt 0 ] || say "pci none"

if [ -n "$klog" ]; then
	dmesg | grep -v "ommand line:" | grep -E "$klog" | while read -r line; do say "klog: $line"; done
fi

if [ "$net" = dhcp ]; then
	ifc=""
	for n in /sys/class/net/*; do
		[ "${n##*/}" = lo ] || [ ! -e "$n" ] || { ifc=${n##*/}; break; }
	done
	if [ -z "$ifc" ]; then
		say "lease FAIL: no network interface (no NIC driver bound)"
	else
		ip link set "$ifc" up
		waited=0
		while [ "$(cat "/sys/class/net/$ifc/carrier" 2>/dev/null)" != 1 ] && [ "$waited" -lt "$CARRIER_WAIT" ]; do
			sleep 1
			waited=$((waited + 1))
		done
		carrier=no
		[ "$(cat "/sys/class/net/$ifc/carrier" 2>/dev/null)" = 1 ] && carrier=yes
		say "net $ifc up, carrier $carrier after $waited s"
		rm -f /tmp/lease
		udhcpc -i "$ifc" -n -q -f -t "$DHCP_TRIES" -T "$DHCP_WAIT" -s /etc/udhcpc.script >/tmp/udhcpc.log 2>&1
		if [ -s /tmp/lease ]; then
			read -r lip lsrv </tmp/lease
			say "lease $lip from $lsrv"
		else
			say "lease FAIL: no DHCP lease on $ifc after $DHCP_TRIES tries ($(tail -n 1 /tmp/udhcpc.log))"
		fi
	fi
elif [ -n "$net" ]; then
	say "lease FAIL: moat.net=$net is not a known mode (dhcp)"
fi
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
if [ "$exit_how" = reboot ]; then
	say "rebooting"
	moat-helper drain
	reboot -f
	say "reboot failed"
fi
poweroff -f
say "poweroff failed"
while :; do sleep 3600; done
