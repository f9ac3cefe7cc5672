package dev.fieldseal.demo;

import java.io.PrintStream;

/** Side-by-side text columns for a terminal, clipping long cells with an ellipsis. */
final class Columns {

    private final PrintStream out;
    private final int[] widths;

    Columns(PrintStream out, int... widths) {
        this.out = out;
        this.widths = widths;
    }

    void row(String... cells) {
        StringBuilder sb = new StringBuilder("  ");
        for (int i = 0; i < widths.length; i++) {
            String c = i < cells.length && cells[i] != null ? cells[i] : "";
            sb.append(clip(c, widths[i]));
            sb.append(" ".repeat(Math.max(0, widths[i] - Math.min(c.length(), widths[i]))));
            if (i < widths.length - 1) {
                sb.append(" │ ");
            }
        }
        out.println(sb.toString().stripTrailing());
    }

    void rule() {
        StringBuilder sb = new StringBuilder("  ");
        for (int i = 0; i < widths.length; i++) {
            sb.append("─".repeat(widths[i]));
            if (i < widths.length - 1) {
                sb.append("─┼─");
            }
        }
        out.println(sb);
    }

    static String clip(String s, int width) {
        return s.length() <= width ? s : s.substring(0, width - 1) + "…";
    }
}
