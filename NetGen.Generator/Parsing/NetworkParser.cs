using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Layers;
using NetGen.Generator.Model;

namespace NetGen.Generator.Parsing
{
    /// <summary>
    /// Turns a <c>[Network]</c> class into a <see cref="NetworkSpec"/>. The only code that sees symbols, syntax and
    /// <see cref="AttributeData"/>; it checks how the DSL is used (which members carry which attributes) and leaves
    /// shapes and the data flow to <c>Shapes/</c>.
    /// </summary>
    internal static class NetworkParser
    {
        private const string LayerTypeName = "global::NetGen.Layer";

        private static readonly SymbolDisplayFormat TypeFormat =
            SymbolDisplayFormat.FullyQualifiedFormat.AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

        /// <summary>Parses one network; an unexpected exception becomes NG0999 on the class instead of failing the build.</summary>
        public static NetworkSpec Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            try
            {
                return ParseNetwork(context, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                var declaration = (TypeDeclarationSyntax)context.TargetNode;
                string name = declaration.Identifier.ValueText;
                var location = Span(declaration.Identifier.GetLocation());
                var failure = DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, location, name, e.GetType().Name + ": " + e.Message);
                return new NetworkSpec(new TypeSpec(null, default, "class " + name, name, name), 0, default, default, location,
                    EquatableArray.Create(failure), CanEmit: false, Incomplete: false);
            }
        }

        private static NetworkSpec ParseNetwork(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            var type = (INamedTypeSymbol)context.TargetSymbol;
            var declaration = (TypeDeclarationSyntax)context.TargetNode;
            var location = Span(declaration.Identifier.GetLocation());
            var diagnostics = new List<DiagnosticInfo>();

            bool canEmit = true;
            var containers = new List<string>();
            foreach (var typeSyntax in declaration.AncestorsAndSelf().OfType<TypeDeclarationSyntax>().Reverse())
            {
                if (!typeSyntax.Modifiers.Any(SyntaxKind.PartialKeyword))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotPartial, Span(typeSyntax.Identifier.GetLocation()), typeSyntax.Identifier.ValueText, type.Name));
                    canEmit = false;
                }
                if (typeSyntax != declaration) containers.Add(DeclarationText(typeSyntax));
            }

            var layers = new List<LayerSpec>();
            var properties = new List<PartialProperty>();
            bool incomplete = false;
            // Without a partial declaration nothing can be generated: NG0001 is the one error worth reporting.
            if (canEmit)
                foreach (var member in type.GetMembers())
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    incomplete |= ParseMember(member, layers, properties, diagnostics, cancellationToken);
                }

            var typeSpec = new TypeSpec(
                type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString(),
                containers.ToEquatableArray(),
                DeclarationText(declaration),
                type.Name,
                MetadataName(type));
            // An error in [Network]'s own arguments is the compiler's to report.
            incomplete |= HasErrors(context.Attributes[0]);
            int loss = context.Attributes[0].NamedArguments.FirstOrDefault(a => a.Key == "Loss").Value.Value is int value ? value : 0;
            return new NetworkSpec(typeSpec, loss, layers.ToEquatableArray(), properties.ToEquatableArray(), location,
                diagnostics.ToEquatableArray(), canEmit, incomplete);
        }

        /// <summary>Reads one member; returns true when an attribute on it is broken in a way the compiler already reports.</summary>
        private static bool ParseMember(ISymbol member, List<LayerSpec> layers, List<PartialProperty> properties,
            List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
        {
            var layerAttributes = new List<(AttributeData Data, ILayerKind Kind)>();
            var activations = new List<(AttributeData Data, ActivationKind Kind)>();
            foreach (var attribute in member.GetAttributes())
            {
                string? name = attribute.AttributeClass?.ToDisplayString();
                if (name is null) continue;
                if (LayerKinds.ByAttribute(name) is { } kind) layerAttributes.Add((attribute, kind));
                else if (ActivationKind.ByAttribute(name) is { } activation) activations.Add((attribute, activation));
            }
            if (layerAttributes.Count == 0 && activations.Count == 0) return false;
            // Layer attributes only target properties: on anything else the compiler has reported CS0592.
            if (member is not IPropertySymbol property) return true;

            var syntax = (PropertyDeclarationSyntax)property.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken);
            var memberLocation = Span(syntax.Identifier.GetLocation());
            int errorsBefore = diagnostics.Count;
            if (layerAttributes.Count == 0)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ActivationWithoutLayer, AttributeSpan(activations[0].Data, cancellationToken), member.Name, activations[0].Kind.Name));
            if (layerAttributes.Count > 1)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TwoLayerAttributes, AttributeSpan(layerAttributes[1].Data, cancellationToken),
                    member.Name, string.Join(", ", layerAttributes.Select(a => a.Kind.Name))));
            if (activations.Count > 1)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TwoActivations, AttributeSpan(activations[1].Data, cancellationToken),
                    member.Name, string.Join(", ", activations.Select(a => a.Kind.Name))));
            if (property.IsStatic)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LayerStatic, memberLocation, member.Name));
            bool isPartial = syntax.Modifiers.Any(SyntaxKind.PartialKeyword);
            if (!isPartial)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LayerNotPartial, memberLocation, member.Name));
            string typeName = property.Type.ToDisplayString(TypeFormat);
            if (typeName != LayerTypeName)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.WrongPropertyType, Span(syntax.Type.GetLocation()), member.Name, property.Type.ToDisplayString()));
            if (property.SetMethod is not null)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LayerHasSetter, memberLocation, member.Name));

            if (GeneratedMembers.Names.Contains(member.Name))
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NameClashesWithGenerated, memberLocation, member.Name, member.ContainingType.Name));

            bool valid = diagnostics.Count == errorsBefore;
            bool broken = layerAttributes.Count > 0 && HasErrors(layerAttributes[0].Data);
            if (valid && !broken)
            {
                var (data, kind) = layerAttributes[0];
                layers.Add(new LayerSpec(member.Name, kind.Name, kind.Read(Arguments(data)),
                    activations.Count == 1 ? activations[0].Kind.Name : null, AttributeSpan(data, cancellationToken), memberLocation));
            }
            // A second member with the same name is the compiler's error (CS0102); implementing it twice would add more.
            if (isPartial && !properties.Exists(p => p.Name == member.Name))
            {
                string modifiers = string.Join(" ", syntax.Modifiers.Where(m => !m.IsKind(SyntaxKind.PartialKeyword)).Select(m => m.Text));
                properties.Add(new PartialProperty(member.Name, syntax.Identifier.Text, modifiers, typeName, property.SetMethod is not null, valid && !broken ? layers.Count - 1 : -1));
            }
            return broken;
        }

        private static bool HasErrors(AttributeData attribute) =>
            attribute.AttributeConstructor is null
            || attribute.ConstructorArguments.Any(a => a.Kind == TypedConstantKind.Error)
            || attribute.NamedArguments.Any(a => a.Value.Kind == TypedConstantKind.Error);

        /// <summary>The attribute's arguments with Roslyn's types stripped.</summary>
        private static AttributeArguments Arguments(AttributeData attribute) =>
            new AttributeArguments(
                attribute.ConstructorArguments.Select(Value).ToEquatableArray(),
                attribute.NamedArguments.Select(a => new NamedArgument(a.Key, Value(a.Value))).ToEquatableArray());

        private static object? Value(TypedConstant constant) =>
            constant.Kind == TypedConstantKind.Array
                ? constant.IsNull ? null : constant.Values.Select(Value).ToEquatableArray()
                : constant.Kind == TypedConstantKind.Type ? null : constant.Value;

        /// <summary><c>class Mlp</c>, <c>record Net&lt;T&gt;</c>, <c>struct Outer</c>: the declaration without modifiers.</summary>
        private static string DeclarationText(TypeDeclarationSyntax syntax)
        {
            string keyword = syntax is RecordDeclarationSyntax record && !record.ClassOrStructKeyword.IsKind(SyntaxKind.None)
                ? "record " + record.ClassOrStructKeyword.Text
                : syntax.Keyword.Text;
            return keyword + " " + syntax.Identifier.Text + (syntax.TypeParameterList?.ToString() ?? "");
        }

        private static string MetadataName(INamedTypeSymbol type)
        {
            string name = type.MetadataName;
            for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType) name = outer.MetadataName + "." + name;
            return name;
        }

        private static SourceSpan AttributeSpan(AttributeData attribute, CancellationToken cancellationToken) =>
            Span(attribute.ApplicationSyntaxReference!.GetSyntax(cancellationToken).GetLocation());

        private static SourceSpan Span(Location location) =>
            new SourceSpan(location.SourceTree?.FilePath ?? "", location.SourceSpan, location.GetLineSpan().Span);
    }
}
