using System.Collections.Generic;

namespace NetGen.Generator.Model
{
    /// <summary>Names the generated part declares in the network class; a layer may not take one of them.</summary>
    internal static class GeneratedMembers
    {
        public static readonly ISet<string> Names = new HashSet<string>
        {
            "Name", "MaxBatch", "CurrentBatch", "InputSize", "OutputSize", "Loss", "ShapeSignature", "ParameterCount",
            "LayerNames", "LayerShapes", "Parameters", "Gradients", "Layers", "ParameterTensors", "Forward", "TrainStep",
            "Summary", "SummaryText", "RunForward", "RunBackward", "CheckBatch", "NetworkErrors",
            "_parameters", "_gradients", "_activations", "_activationGradients", "_layers", "_maxBatch", "_currentBatch",
            "s_parameterTensors", "RngState", "_rng", "RecommendedClipNorm", "DefaultClipNorm", "ResetState",
        };
    }
}
