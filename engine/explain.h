/* explain — one case, explained: `thongke explain MA_VIEC` reads the exports for that case
 * only (the lines that name it, plus the files' first lines for the header), replays it, and
 * says in Vietnamese (or JSON) its events in order with the state after each, its state,
 * condition and money at the start and the end of the period, the value of every let of the
 * rules, every form cell it counts in and with what amount, the lists it is on and the case
 * screens (thẩm tra) that select it. The cells come from the report's own computation, on a
 * model holding this case alone: nothing about forms is written here. */
#ifndef EXPLAIN_H
#define EXPLAIN_H

/* `thongke explain`: argv[0] is "explain". Returns a process exit code: 0 explained, 1 usage,
 * 2 rule file error, 3 input error or no such case (thk.h). */
int explain_main(int argc, char **argv);

#endif
