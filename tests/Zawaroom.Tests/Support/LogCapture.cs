using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Zawaroom.Tests.Support;

/// <summary>
/// Everything the app logs, as the app's logging configuration filters it (appsettings: Information,
/// Microsoft.AspNetCore at Warning): each line with its level, category, text and exception, and the
/// bytes a console or file sink would write for it (text plus stack trace).
/// </summary>
public sealed class LogCapture : ILoggerProvider
{
    public sealed record Line(LogLevel Level, string Category, string Text, Exception? Exception);

    public ConcurrentQueue<Line> Lines { get; } = new();
    long _bytes;
    public long Bytes => Interlocked.Read(ref _bytes);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);
    public void Dispose() { }

    public IEnumerable<Line> Matching(string text) => Lines.Where(l => l.Text.Contains(text, StringComparison.Ordinal));

    sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var text = formatter(state, exception);
            capture.Lines.Enqueue(new Line(logLevel, category, text, exception));
            Interlocked.Add(ref capture._bytes, category.Length + text.Length + 16 + (exception?.ToString().Length ?? 0));
        }
    }
}
