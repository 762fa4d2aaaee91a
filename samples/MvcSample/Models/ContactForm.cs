using System.ComponentModel.DataAnnotations;

namespace MvcSample.Models;

/// <summary>The contact form posted with antiforgery.</summary>
public sealed class ContactForm
{
    /// <summary>The sender's name.</summary>
    [Required(ErrorMessage = "Name is required.")]
    public string? Name { get; set; }

    /// <summary>The sender's e-mail address.</summary>
    [Required(ErrorMessage = "Email is required."), EmailAddress(ErrorMessage = "Email is not valid.")]
    public string? Email { get; set; }
}
