using System;
using System.Text;

namespace NetGen.Generator.Emit
{
    /// <summary>
    /// Builds generated source text line by line with four-space indentation and brace blocks. All emission goes
    /// through one writer so that the output's layout is uniform and deterministic.
    /// </summary>
    internal sealed class SourceWriter
    {
        private readonly StringBuilder _text = new StringBuilder();
        private int _depth;

        /// <summary>Writes one indented line (an empty line carries no indentation).</summary>
        public SourceWriter Line(string text = "")
        {
            if (text.Length > 0) _text.Append(' ', _depth * 4).Append(text);
            _text.Append('\n');
            return this;
        }

        /// <summary>Writes <paramref name="header"/>, an opening brace, and indents until the returned scope is disposed,
        /// which writes the closing brace (with <paramref name="closingSuffix"/>, e.g. <c>;</c>).</summary>
        public Scope Block(string header, string closingSuffix = "")
        {
            Line(header);
            Line("{");
            _depth++;
            return new Scope(this, closingSuffix);
        }

        public override string ToString() => _text.ToString();

        /// <summary>Closes a <see cref="Block"/>.</summary>
        public readonly struct Scope : IDisposable
        {
            private readonly SourceWriter _writer;
            private readonly string _suffix;

            public Scope(SourceWriter writer, string suffix) { _writer = writer; _suffix = suffix; }

            /// <summary>Drops a blank line left before the closing brace, then writes the brace.</summary>
            public void Dispose()
            {
                var text = _writer._text;
                if (text.Length >= 2 && text[text.Length - 1] == '\n' && text[text.Length - 2] == '\n') text.Length--;
                _writer._depth--;
                _writer.Line("}" + _suffix);
            }
        }
    }
}
