# The EIE paper's Figure 8 from make bench's CSV: load-balance efficiency
# of the cycle model against the activation queue depth, per FC layer.
# Usage: gnuplot -e "csv='build/release/eie_queue_sweep.csv'; png='...png'" bench/queue_sweep.gp
set datafile separator ','
set terminal pngcairo size 900,560 font ',10'
set output png
set title 'Load balance vs activation queue depth (cycle model, P = 64, 16 random inputs per layer)'
set xlabel 'activation queue depth (FIFO entries per PE)'
set ylabel 'load-balance efficiency (PE busy / (P x cycles))'
set logscale x 2
set xrange [1:256]
set yrange [0:1]
set ytics ('0%%' 0, '20%%' 0.2, '40%%' 0.4, '60%%' 0.6, '80%%' 0.8, '100%%' 1)
set grid
set key bottom right
stats csv skip 1 nooutput
plot for [i=2:STATS_columns] csv using 1:i with linespoints title columnheader(i)
