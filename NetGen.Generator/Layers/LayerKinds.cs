using System.Collections.Generic;

namespace NetGen.Generator.Layers
{
    /// <summary>The registry of layer kinds: the one list a new kind is added to.</summary>
    internal static class LayerKinds
    {
        public static readonly IReadOnlyList<ILayerKind> All = new ILayerKind[]
        {
            new InputLayer(),
            new DenseLayer(),
            new Conv2DLayer(),
            new Conv1DLayer(),
            new MaxPool2DLayer(),
            new AvgPool2DLayer(),
            new FlattenLayer(),
            new DropoutLayer(),
            new TokenInputLayer(),
            new EmbeddingLayer(),
            new RnnLayer(),
            new LstmLayer(),
            new GruLayer(),
        };

        public static ILayerKind? ByAttribute(string attributeName)
        {
            foreach (var kind in All)
                if (kind.AttributeName == attributeName) return kind;
            return null;
        }

        /// <summary>The kind named <paramref name="name"/>; names in the model always come from this registry.</summary>
        public static ILayerKind ByName(string name)
        {
            foreach (var kind in All)
                if (kind.Name == name) return kind;
            throw new KeyNotFoundException("No layer kind named '" + name + "'.");
        }
    }
}
