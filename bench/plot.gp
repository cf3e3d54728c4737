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
# Every command its own colour and its own marker (gnuplot's defaults cycle
# through 8 colours, so a ninth command would repeat the first's): 16
# colours that stay apart, and pngcairo's 14 filled and open markers with
# every other line dashed, which keeps even a 17th command distinct.
colours = "#1f77b4 #d62728 #2ca02c #ff7f0e #9467bd #8c564b #e377c2 #17becf " . \
	  "#000000 #bcbd22 #7f7f7f #aec7e8 #98df8a #ff9896 #c5b0d5 #ffbb78"
ncol = words(colours)
plot for [i=2:cols] dat using 1:i with linespoints lw 2 \
	lc rgb word(colours, (i - 2) % ncol + 1) pt (i - 2) % 14 + 1 ps 1.2 \
	dt 1 + (i - 2) / 2 % 2 title columnheader(i)
