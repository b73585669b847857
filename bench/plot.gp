# gnuplot script of bench/run: input throughput of taqmpi against ranks, DuckDB as a reference line.
#   gnuplot -e "csv='results.csv'; png='results.png'; title='...'" bench/plot.gp
set datafile separator ","
set terminal pngcairo size 900,560 font "sans,11"
set output png
set title title noenhanced
set xlabel "taqmpi ranks (MPI processes; beyond the cores: oversubscribed)"
set ylabel "input MB/s (both dates' raw files / wall seconds)"
set key bottom right box opaque
set grid
set logscale x 2
set yrange [0:*]
duck = system(sprintf("awk -F, '$1==\"duckdb\"{print $6}' %s", csv)) + 0
stats csv using 2 every ::1 nooutput
set xrange [0.8:STATS_max * 1.25]
set xtics (1, 2, 4, 8, 16, 32, 64)
plot csv using (strcol(1) eq "taqmpi" ? $2 : NaN):(strcol(1) eq "taqmpi" ? $6 : NaN) skip 1 with linespoints lw 2 pt 7 title "taqmpi", \
     duck with lines lw 2 dt 2 title sprintf("DuckDB (all cores): %.1f MB/s", duck)
