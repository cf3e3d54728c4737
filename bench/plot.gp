# bench/plot.gp: time against sockets per command, log axes (bench/run.sh
# calls it with dat=FILE and png=FILE; FILE's columns: sockets, then one per
# command, headed by the command's name).
set terminal pngcairo size 1000,650 font ",10" noenhanced
set output png
set logscale xy
set grid
set key outside right top
set xlabel "sockets (1000 processes, 200 extra fds each)"
set ylabel "median time, ms (QEMU TCG guest)"
set title "time to list every socket with its owner, against the number of sockets"
cols = system("head -n 1 '" . dat . "' | awk -F'\t' '{ print NF }'")
plot for [i=2:cols] dat using 1:i with linespoints lw 2 title columnheader(i)
