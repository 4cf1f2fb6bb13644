using System.Diagnostics;
using System.Globalization;

namespace DeepSeekR1.Actors.Cli.Terminal;

/// <summary>
/// Progress of long work that is not a training step (pretraining, SFT, evaluation, rejection sampling). On a
/// terminal it is one bar redrawn in place with the rate and the time left; anywhere else (a log file, a pipe, a
/// parent process reading lines) each report is the plain line the caller gives, exactly as it was before bars, so
/// scripts and tests that wait for those lines keep working.
/// </summary>
public sealed class ProgressReporter
{
    // A redraw at most this often: a bar is for eyes, and the work should not wait on the terminal.
    private static readonly TimeSpan RedrawEvery = TimeSpan.FromMilliseconds(200);

    private readonly string label;
    private readonly string unit;
    private readonly TextWriter writer;
    private readonly bool bar;
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly long startedAt;
    private TimeSpan? lastDraw;
    private bool drawn;
    private string? lastDetail;
    private readonly int? width;

    /// <summary>A reporter writing to <paramref name="writer"/>, as a bar when <paramref name="bar"/> is true.</summary>
    /// <param name="label">What is being done ("sft", "r1 eval").</param>
    /// <param name="unit">What is counted, plural ("steps", "completions").</param>
    /// <param name="writer">Where reports go.</param>
    /// <param name="bar">Whether to draw a bar (a terminal) or write the plain lines.</param>
    /// <param name="startedAt">Work already done before this process (a resumed run): not counted in the rate.</param>
    /// <param name="width">Columns the bar may use (null: the terminal's width, read at each redraw).</param>
    public ProgressReporter(string label, string unit, TextWriter writer, bool bar, long startedAt = 0, int? width = null)
    {
        this.width = width;
        this.label = label;
        this.unit = unit;
        this.writer = writer;
        this.bar = bar;
        this.startedAt = startedAt;
    }

    /// <summary>A reporter that draws a bar when <paramref name="writer"/> is the console's and that is a terminal.</summary>
    public static ProgressReporter For(string label, string unit, TextWriter writer, long startedAt = 0) =>
        new(label, unit, writer, IsTerminal(writer), startedAt);

    /// <summary>Whether <paramref name="writer"/> is standard output or error and goes to a terminal.</summary>
    public static bool IsTerminal(TextWriter writer) =>
        (ReferenceEquals(writer, Console.Out) && !Console.IsOutputRedirected)
        || (ReferenceEquals(writer, Console.Error) && !Console.IsErrorRedirected);

    /// <summary>
    /// Reports <paramref name="done"/> of <paramref name="total"/>: redraws the bar (with <paramref name="detail"/>, such
    /// as the loss) or writes <paramref name="plainLine"/>.
    /// </summary>
    public void Report(long done, long total, string plainLine, string? detail = null)
    {
        if (!bar)
        {
            writer.WriteLine(plainLine);
            return;
        }
        lastDetail = detail;
        Draw(done, total);
    }

    /// <summary>
    /// Moves the bar to <paramref name="done"/> between two reports (say, after every optimizer step while figures come
    /// every hundred), keeping the last report's detail; writes nothing off a terminal.
    /// </summary>
    public void Tick(long done, long total)
    {
        if (bar) Draw(done, total);
    }

    private void Draw(long done, long total)
    {
        string? detail = lastDetail;
        var now = clock.Elapsed;
        if (done < total && lastDraw is { } last && now - last < RedrawEvery) return;
        lastDraw = now;
        // "\r" back to the start of the line, ESC[2K clears it: the bar is redrawn in place.
        writer.Write("\r\u001b[2K" + Line(label, unit, done, total, startedAt, now, detail, width ?? Width()));
        writer.Flush();
        drawn = true;
    }

    /// <summary>Ends the bar's line (a later line starts below it); nothing for plain lines.</summary>
    public void Finish()
    {
        if (bar && drawn) writer.WriteLine();
        drawn = false;
    }

    /// <summary>
    /// One bar: <c>sft [########------] 57% 114/200 steps, 3.2 steps/s, 27s left | loss 1.2345</c>. The rate counts
    /// only what this process did (<paramref name="done"/> - <paramref name="startedAt"/> over <paramref name="elapsed"/>).
    /// </summary>
    public static string Line(string label, string unit, long done, long total, long startedAt, TimeSpan elapsed, string? detail, int width)
    {
        double share = total > 0 ? Math.Clamp((double)done / total, 0, 1) : 0;
        int cells = Math.Clamp(width / 5, 10, 30);
        int full = (int)Math.Round(share * cells);
        double rate = elapsed.TotalSeconds > 0 ? (done - startedAt) / elapsed.TotalSeconds : 0;
        string left = rate > 0 ? Duration((total - done) / rate) + " left" : "time left unknown";
        string text = string.Create(CultureInfo.InvariantCulture,
            $"{label} [{new string('#', full)}{new string('-', cells - full)}] {share * 100,3:F0}% {done}/{total} {unit}, {Rate(rate)} {unit}/s, {left}");
        if (!string.IsNullOrEmpty(detail)) text += " | " + detail;
        return text.Length > width && width > 20 ? text[..(width - 1)] : text;
    }

    /// <summary>A duration as people read one: <c>42s</c>, <c>3m05s</c>, <c>1h02m</c>.</summary>
    public static string Duration(double seconds)
    {
        if (double.IsNaN(seconds) || double.IsInfinity(seconds) || seconds < 0) return "?";
        long s = (long)Math.Round(seconds);
        return s < 60 ? $"{s}s" : s < 3600 ? $"{s / 60}m{s % 60:D2}s" : $"{s / 3600}h{s / 60 % 60:D2}m";
    }

    private static string Rate(double rate) =>
        rate.ToString(rate >= 100 ? "F0" : rate >= 10 ? "F1" : "F2", CultureInfo.InvariantCulture);

    private static int Width()
    {
        try { return Console.WindowWidth > 0 ? Console.WindowWidth : 120; }
        catch (IOException) { return 120; }
    }
}
