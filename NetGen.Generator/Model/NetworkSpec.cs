namespace NetGen.Generator.Model
{
    /// <summary>What the parser read from one <c>[Network]</c> class: no Roslyn objects, equatable throughout.</summary>
    /// <param name="Type">Where the generated partial declaration goes.</param>
    /// <param name="Loss">The <c>NetGen.Loss</c> value as written (its underlying integer).</param>
    /// <param name="Layers">Layer members in declaration order (the valid ones only).</param>
    /// <param name="Properties">Every partial property that carries a NetGen attribute: the generated part must implement
    /// each of them, also when the network has errors.</param>
    /// <param name="Location">The class name, for diagnostics about the whole network.</param>
    /// <param name="Diagnostics">Problems found while parsing.</param>
    /// <param name="CanEmit">False when no partial declaration can be generated at all (class not partial).</param>
    /// <param name="Incomplete">True when a layer attribute has errors the compiler reports itself (a wrong argument
    /// type, an attribute on a field): the network gets a stub but no NetGen diagnostic.</param>
    internal sealed record NetworkSpec(
        TypeSpec Type,
        int Loss,
        EquatableArray<LayerSpec> Layers,
        EquatableArray<PartialProperty> Properties,
        SourceSpan Location,
        EquatableArray<DiagnosticInfo> Diagnostics,
        bool CanEmit,
        bool Incomplete);

    /// <summary>The network class and the types around it.</summary>
    /// <param name="Namespace">Containing namespace, or null for the global namespace.</param>
    /// <param name="Containers">Enclosing types, outermost first.</param>
    /// <param name="Declaration">The partial declaration line without <c>partial</c>, e.g. <c>class Mlp</c> or <c>record Net&lt;T&gt;</c>.</param>
    /// <param name="Name">The type name without type parameters.</param>
    /// <param name="MetadataName">Name used in the hint name, e.g. <c>Outer.Net`1</c>.</param>
    internal sealed record TypeSpec(string? Namespace, EquatableArray<string> Containers, string Declaration, string Name, string MetadataName);

    /// <summary>One layer as declared.</summary>
    /// <param name="Name">The property name.</param>
    /// <param name="Kind">The layer kind's name (see <c>Layers/</c>).</param>
    /// <param name="Options">What the kind read from its attribute.</param>
    /// <param name="Activation">The activation's name, or null when none was written.</param>
    /// <param name="AttributeLocation">The layer attribute.</param>
    /// <param name="MemberLocation">The property name.</param>
    internal sealed record LayerSpec(string Name, string Kind, LayerOptions Options, string? Activation, SourceSpan AttributeLocation, SourceSpan MemberLocation);

    /// <summary>A layer kind's reading of its attribute. Kinds derive their own sealed record from this.</summary>
    internal abstract record LayerOptions
    {
        /// <summary>Layers this one reads, by name as written (<c>From = nameof(H1)</c>); empty means the previous layer.</summary>
        public EquatableArray<string> Sources { get; init; }
    }

    /// <summary>A partial property the generated part has to implement.</summary>
    /// <param name="Name">Property name.</param>
    /// <param name="Identifier">The name as written in C#, with <c>@</c> where it is a keyword.</param>
    /// <param name="Modifiers">Its modifiers other than <c>partial</c> (e.g. <c>public</c>, <c>internal static</c>).</param>
    /// <param name="Type">Its type, fully qualified.</param>
    /// <param name="HasSetter">Whether it declares a setter.</param>
    /// <param name="LayerIndex">Index into <see cref="NetworkSpec.Layers"/>, or −1 when the member is not a valid layer.</param>
    internal sealed record PartialProperty(string Name, string Identifier, string Modifiers, string Type, bool HasSetter, int LayerIndex);
}
