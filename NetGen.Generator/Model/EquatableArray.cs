using System;
using System.Collections;
using System.Collections.Generic;

namespace NetGen.Generator.Model
{
    /// <summary>
    /// An immutable array compared element by element, so that pipeline values holding it compare by content and the
    /// incremental generator can cache them. <c>default</c> is the empty array.
    /// </summary>
    internal readonly struct EquatableArray<T> : IEquatable<EquatableArray<T>>, IReadOnlyList<T>
    {
        private readonly T[]? _items;

        public EquatableArray(T[] items) { _items = items; }

        public int Count => _items?.Length ?? 0;

        public T this[int index] => _items![index];

        public bool IsEmpty => Count == 0;

        public bool Equals(EquatableArray<T> other)
        {
            int n = Count;
            if (n != other.Count) return false;
            var comparer = EqualityComparer<T>.Default;
            for (int i = 0; i < n; i++)
                if (!comparer.Equals(_items![i], other._items![i])) return false;
            return true;
        }

        public override bool Equals(object? obj) => obj is EquatableArray<T> other && Equals(other);

        public override int GetHashCode()
        {
            int hash = 17;
            if (_items is null) return hash;
            var comparer = EqualityComparer<T>.Default;
            foreach (T item in _items) hash = unchecked(hash * 31 + (item is null ? 0 : comparer.GetHashCode(item)));
            return hash;
        }

        public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)(_items ?? Array.Empty<T>())).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public static bool operator ==(EquatableArray<T> left, EquatableArray<T> right) => left.Equals(right);

        public static bool operator !=(EquatableArray<T> left, EquatableArray<T> right) => !left.Equals(right);
    }

    /// <summary>Builders for <see cref="EquatableArray{T}"/>.</summary>
    internal static class EquatableArray
    {
        public static EquatableArray<T> Create<T>(params T[] items) => new EquatableArray<T>(items);

        public static EquatableArray<T> ToEquatableArray<T>(this IEnumerable<T> items) => new EquatableArray<T>(new List<T>(items).ToArray());
    }
}
