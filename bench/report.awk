# bench/report.awk: the markdown report of a bench run, from the raw lines
# the guest printed (bench/run.sh runs it with -F'|').
#   -v what='name=description;...'  the setups' descriptions
#   -v plotdat=FILE                  gets the scale series for gnuplot:
#                                    sockets, then one column per command
#   -v png=NAME                      the plot the report links to
# Raw lines: HOST, KERNEL, BPFTRACE, then per setup SETUP, HELD, COUNT,
# BENCH (one per command), SLAB, SIZE and READ (bench/bench.c says what
# each field is).

BEGIN {
	n = split(what, w, ";")
	for (i = 1; i <= n; i++) {
		split(w[i], kv, "=")
		desc[kv[1]] = kv[2]
	}
	base_cmd = "cat /proc/sockfd"
	net_cmd = "cat /proc/net/tcp /proc/net/tcp6 /proc/net/udp /proc/net/udp6 /proc/net/unix"
}

$1 == "HOST" { started = $2; cpus = $3; scale = $4; runs = $5; secs = $6 }
$1 == "KERNEL" { kernel = $2; vcpus = $3; mem = $4 }
$1 == "BPFTRACE" { bpf_status = $2; bpf_detail = $3 }
$1 == "SETUP" {
	s = $2
	setups[++nsetups] = s
	asked[s] = sprintf("%d processes, %d sockets, %d fds", $3, $4, $5)
}
$1 == "HELD" { held[s] = $2 }
$1 == "COUNT" {
	count[s] = sprintf("%d processes, %d fds, %d socket fds; /proc/net rows: %d tcp/tcp6, %d udp/udp6, %d unix",
		$2, $3, $4, $5, $6, $7)
	socks[s] = $4
}
$1 == "BENCH" {
	if ($2 ~ /^cat \/proc\/sockfd \(module of /)
		old_cmd = $2	# bench/run.sh's BENCH_BASE
	if (!($2 in seen)) {
		seen[$2] = 1
		cmds[++ncmds] = $2
	}
	ms[s, $2] = $4
	allruns[s, $2] = $3
	status[s, $2] = $5
}
$1 == "BTLINES" { btlines[s] = $2 }
$1 == "SLAB" { slab[s] = sprintf("%d / %d / %d kB", $2, $3, $4); slab_during[s] = $3 - $2 }
$1 == "SIZE" { size[s] = $2 }
$1 == "READ" && $2 == "whole" { rd[s, "whole" $3] = $5 }
$1 == "READ" && $2 == "prefix" { rd[s, "prefix"] = $5; pre[s] = $4 }
$1 == "READ" && $2 == "ends" && $3 == 4096 { rd[s, "e4"] = sprintf("%.2f (%.1f / %.1f ms of %d bytes)", $8, $7, $5, $4) }
$1 == "READ" && $2 == "ends" && $3 == 1 { rd[s, "e1"] = sprintf("%.2f (%.1f / %.1f ms of %d bytes)", $8, $7, $5, $4) }

function ratio(s, c) {
	if (!((s, c) in ms) || !((s, base_cmd) in ms) || ms[s, base_cmd] <= 0)
		return "-"
	return sprintf("%.2f", ms[s, c] / ms[s, base_cmd])
}

function cell(s, c) {
	if (!((s, c) in ms))
		return "-"
	if (status[s, c] != "ok")
		return sprintf("%s (%.0f ms)", status[s, c], ms[s, c])
	return sprintf("%.0f", ms[s, c])
}

function has(s) { return s in held }

function inverse(s, c) {	# how many times slower than cat /proc/sockfd c is
	if (!((s, c) in ms) || !((s, base_cmd) in ms) || ms[s, base_cmd] <= 0)
		return "-"
	return sprintf("%.1fx", ms[s, c] / ms[s, base_cmd])
}

END {
	printf "# sockfd bench results\n\n"
	printf "Run of %s: %s runs per command, and up to 9 while they took under 2 s in all (median; every run is listed per setup), wall clock, output to /dev/null; ", started, runs
	printf "setups at %s%% of their size; the run took %d s (build, boot, setups, timings). ", scale, secs
	printf "Guest: kernel %s, %s vCPUs, %s RAM, QEMU TCG on a %s-CPU host shared with other work: ", kernel, vcpus, mem, cpus
	printf "absolute times are inflated, the ratios measured side by side in one guest are what matters.\n\n"
	if (bpf_status == "ok")
		printf "bpftrace ran in the guest (its iterator printed %d lines with no workload held).\n", bpf_detail
	else
		printf "bpftrace could NOT run in the guest: %s\n", bpf_detail

	# --- where the targets stand -------------------------------------
	printf "\n## Where the targets stand\n\n"
	printf "| target | measured |\n|---|---|\n"
	if (has("a"))
		printf "| `cat /proc/sockfd` vs the five /proc/net tables, 20k sockets (a): <= 0.7 | %s |\n", ratio_inv("a")
	if (has("n100k"))
		printf "| the same at 100k sockets (n100k): <= 0.7 | %s |\n", ratio_inv("n100k")
	if (has("b")) {
		printf "| setup b: `ss -tuanp` >= 60x slower | %s |\n", inverse("b", "ss -tuanp")
		printf "| setup b: `lsof -nP -i` >= 150x slower | %s |\n", inverse("b", "lsof -nP -i")
	}
	line_n = line_j = ""
	for (i = 1; i <= nsetups; i++) {
		s = setups[i]
		if (s !~ /^[abc]$/)
			continue
		line_n = line_n (line_n ? ", " : "") s ": " ratio(s, "sockfd -n")
		line_j = line_j (line_j ? ", " : "") s ": " ratio(s, "sockfd -j")
	}
	if (line_n != "") {
		printf "| `sockfd -n` <= 1.3x `cat /proc/sockfd` | %s |\n", line_n
		printf "| `sockfd -j` <= 1.5x `cat /proc/sockfd` | %s |\n", line_j
	}
	# #22's: the summary and metrics of every setup, top at 20k sockets
	line_s = line_p = line_t = ""
	for (i = 1; i <= nsetups; i++) {
		s = setups[i]
		line_s = line_s (line_s ? ", " : "") s ": " ratio(s, "sockfd --summary")
		line_p = line_p (line_p ? ", " : "") s ": " ratio(s, "sockfd --prom")
		if (socks[s] == 20000)
			line_t = line_t (line_t ? ", " : "") s ": " ratio(s, "sockfd top -b -n 1")
	}
	if (line_s != "") {
		printf "| `sockfd --summary` <= 2x `cat /proc/sockfd` | %s |\n", line_s
		printf "| `sockfd --prom` <= 2x `cat /proc/sockfd` | %s |\n", line_p
	}
	if (line_t != "")
		printf "| `sockfd top -b -n 1` <= 1.5x `cat /proc/sockfd`, 20k sockets | %s |\n", line_t
	# #22's: format 3 costs cat at most 1.25x the module before it
	line_o = ""
	for (i = 1; i <= nsetups; i++) {
		s = setups[i]
		if (old_cmd != "" && (s, old_cmd) in ms && ms[s, old_cmd] > 0)
			line_o = line_o (line_o ? ", " : "") sprintf("%s: %.2f (%.0f / %.0f ms)",
				s, ms[s, base_cmd] / ms[s, old_cmd], ms[s, base_cmd], ms[s, old_cmd])
	}
	if (line_o != "") {
		rev = old_cmd
		sub(/^cat \/proc\/sockfd \(module of /, "", rev)
		sub(/\)$/, "", rev)
		printf "| `cat /proc/sockfd` <= 1.25x itself under the module of %s | %s |\n", rev, line_o
	}
	if (has("n10k") && has("n100k") && ms["n10k", base_cmd] > 0)
		printf "| 100k sockets cost <= 11x 10k | %.1fx |\n", ms["n100k", base_cmd] / ms["n10k", base_cmd]
	slabs = ""
	for (i = 1; i <= nsetups; i++)
		if (setups[i] in slab)
			slabs = slabs (slabs ? "; " : "") setups[i] ": " (slab_during[setups[i]] >= 0 ? "+" : "") slab_during[setups[i]] " kB"
	if (slabs != "")
		printf "| slab during a read does not grow with N (Slab: halfway through a read minus before it) | %s |\n", slabs

	# --- time against N ----------------------------------------------
	nscale = 0
	for (i = 1; i <= nsetups; i++)
		if (setups[i] ~ /^n[0-9]/)
			scale_s[++nscale] = setups[i]
	if (nscale) {
		printf "\n## Time against the number of sockets\n\n"
		printf "1000 processes, each with 200 extra non-socket fds; median ms per command.\n\n"
		printf "![time against sockets, log axes](%s)\n\n", png
		printf "| command |"
		for (j = 1; j <= nscale; j++)
			printf " %s sockets |", socks[scale_s[j]]
		printf "\n|---|"
		for (j = 1; j <= nscale; j++)
			printf "---:|"
		printf "\n"
		for (k = 1; k <= ncmds; k++) {
			printf "| `%s` |", cmds[k]
			for (j = 1; j <= nscale; j++)
				printf " %s |", cell(scale_s[j], cmds[k])
			printf "\n"
		}
		# The plot: every peer that finds owners, and the baselines (not
		# the filtered lsfd, nor the limits and /dev/null rows: no peers).
		nplot = 0
		for (k = 1; k <= ncmds; k++)
			if (cmds[k] !~ /"|limits|\/dev\/null/)
				plotted[++nplot] = cmds[k]
		printf "sockets" > plotdat
		for (k = 1; k <= nplot; k++)
			printf "\t\"%s\"", label(plotted[k]) > plotdat
		printf "\n" > plotdat
		for (j = 1; j <= nscale; j++) {
			printf "%d", socks[scale_s[j]] > plotdat
			for (k = 1; k <= nplot; k++) {
				c = plotted[k]
				v = (scale_s[j], c) in ms && status[scale_s[j], c] == "ok" ? ms[scale_s[j], c] : "NaN"
				printf "\t%s", v > plotdat
			}
			printf "\n" > plotdat
		}
		close(plotdat)
	}

	# --- every setup -------------------------------------------------
	printf "\n## Every command in every setup\n\n"
	printf "Median ms, and the ratio to `cat /proc/sockfd` in the same setup.\n\n| command |"
	for (i = 1; i <= nsetups; i++)
		printf " %s: ms | %s: ratio |", setups[i], setups[i]
	printf "\n|---|"
	for (i = 1; i <= nsetups; i++)
		printf "---:|---:|"
	printf "\n"
	for (k = 1; k <= ncmds; k++) {
		printf "| `%s` |", cmds[k]
		for (i = 1; i <= nsetups; i++)
			printf " %s | %s |", cell(setups[i], cmds[k]), ratio(setups[i], cmds[k])
		printf "\n"
	}

	printf "\n## The setups\n"
	for (i = 1; i <= nsetups; i++) {
		s = setups[i]
		printf "\n### %s: %s\n\n", s, desc[s]
		printf "- asked for %s; set up in %s s\n", asked[s], held[s] == "" ? "?" : held[s]
		printf "- held while timing: %s\n", count[s]
		if (s in btlines)
			printf "- the bpftrace iterator printed %d socket fds (threads sharing a table would repeat theirs)\n", btlines[s]
		if (s in slab)
			printf "- kernel slab before / halfway through / after a read of /proc/sockfd: %s\n", slab[s]
		if (s in size) {
			printf "- /proc/sockfd: %d bytes; whole file in 1 MiB reads %.1f ms, in 4 KiB reads %.1f ms; ", size[s], rd[s, "whole1048576"], rd[s, "whole4096"]
			printf "first %d bytes in 1-byte reads %.1f ms\n", pre[s], rd[s, "prefix"]
			printf "- last/first tenth, 4 KiB reads: %s; last/first prefix, 1-byte reads: %s\n", rd[s, "e4"], rd[s, "e1"]
		}
		printf "- every run, ms:"
		for (k = 1; k <= ncmds; k++)
			if ((s, cmds[k]) in allruns)
				printf " `%s` %s;", cmds[k], allruns[s, cmds[k]]
		printf "\n"
	}
}

function ratio_inv(s) {	# cat /proc/sockfd over the /proc/net tables
	if (!((s, net_cmd) in ms) || ms[s, net_cmd] <= 0)
		return "-"
	return sprintf("%.2f (%.0f / %.0f ms)", ms[s, base_cmd] / ms[s, net_cmd], ms[s, base_cmd], ms[s, net_cmd])
}

function label(c) {	# a command's name in the plot's key
	if (c == net_cmd)
		return "cat /proc/net/{tcp,tcp6,udp,udp6,unix}"
	if (c ~ /^bpftrace /)
		return "bpftrace iter:task_file"
	return c
}
