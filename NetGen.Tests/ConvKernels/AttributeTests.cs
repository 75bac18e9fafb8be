namespace NetGen.Tests.ConvKernels;

public class AttributeTests
{
    [Fact]
    public void Defaults_AreThoseTheDocsState()
    {
        var conv = new Conv2DAttribute(6);
        Assert.Equal((6, 3, 0, 0, 1, 0, true, null), (conv.Channels, conv.Kernel, conv.KernelHeight, conv.KernelWidth, conv.Stride, conv.Padding, conv.Bias, conv.From));
        var conv1 = new Conv1DAttribute(4);
        Assert.Equal((4, 3, 1, 0, true, null), (conv1.Channels, conv1.Kernel, conv1.Stride, conv1.Padding, conv1.Bias, conv1.From));
        var max = new MaxPool2DAttribute(3);
        Assert.Equal((3, 3), (max.Window, max.Stride));
        var avg = new AvgPool2DAttribute(2) { Stride = 1 };
        Assert.Equal((2, 1), (avg.Window, avg.Stride));
        Assert.Equal(0.25, new DropoutAttribute(0.25).Rate);
    }

    [Fact]
    public void AttributesTargetPropertiesOnly()
    {
        foreach (var type in new[] { typeof(Conv2DAttribute), typeof(Conv1DAttribute), typeof(MaxPool2DAttribute),
                     typeof(AvgPool2DAttribute), typeof(FlattenAttribute), typeof(DropoutAttribute) })
        {
            var usage = (AttributeUsageAttribute)Attribute.GetCustomAttribute(type, typeof(AttributeUsageAttribute))!;
            Assert.Equal(AttributeTargets.Property, usage.ValidOn);
            Assert.False(usage.AllowMultiple);
        }
    }
}
